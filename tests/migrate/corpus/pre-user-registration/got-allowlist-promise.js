const got = require('got@11.8.6');

module.exports = function (user, context, cb) {
  got(context.webtask.secrets.ALLOWLIST_URL, { searchParams: { email: user.email } })
    .json()
    .then(function (result) {
      if (!result.allowed) {
        return cb(new PreUserRegistrationError('not on allowlist', 'Registration is by invitation only.'));
      }
      cb(null, { user: { app_metadata: { invited_by: result.inviter } } });
    })
    .catch(function (err) {
      cb(err);
    });
};
