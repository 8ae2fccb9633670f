/**
 * Pre-User Registration, kept DISABLED: during a maintenance window, swap it in for
 * block-disposable-emails (set its "enabled" to true and the other's to false in one PR;
 * the reconciler disables the old hook and enables this one back to back).
 */
module.exports = function (user, context, cb) {
  return cb(new PreUserRegistrationError(
    'Sign-ups are paused for maintenance',
    'Sign-ups are paused for a short maintenance. Please try again in an hour.'
  ));
};
