/**
 * Pre-User Registration: refuses sign-ups from throwaway e-mail providers and records
 * where the user signed up from.
 *
 * @param {object} user - the new user (email, phone_number, username, user_metadata, ...)
 * @param {object} context - Auth0 connection and other context info
 * @param {function} cb - function (error, response)
 */
module.exports = function (user, context, cb) {
  var disposable = require('disposable-email-domains');
  var blocked = new Set(disposable);

  var email = (user.email || '').toLowerCase();
  var domain = email.slice(email.lastIndexOf('@') + 1);

  if (domain && blocked.has(domain)) {
    // PreUserRegistrationError is provided by the Hooks runtime: its second message is shown to the user.
    return cb(new PreUserRegistrationError(
      'Disposable e-mail address: ' + domain,
      'Please sign up with a permanent e-mail address.'
    ));
  }

  var response = {};
  response.user = {
    user_metadata: { signup_source: (context.request && context.request.hostname) || 'unknown' }
  };
  cb(null, response);
};
