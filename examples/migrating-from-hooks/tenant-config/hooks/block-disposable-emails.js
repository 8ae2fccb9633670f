// Pre-User Registration: refuse sign-ups from throwaway e-mail domains.
module.exports = function (user, context, cb) {
  var blocked = ['mailinator.com', 'guerrillamail.com', '10minutemail.com'];
  var domain = (user.email || '').split('@').pop().toLowerCase();
  if (blocked.indexOf(domain) !== -1) {
    return cb(new PreUserRegistrationError('Disposable e-mail: ' + domain, 'Please use a permanent address.'));
  }
  cb(null, { user: {} });
};
