/**
 * Post Change Password: sends an audit event to the security team's log collector.
 *
 * @param {object} user - the user whose password changed (id, username, email, ...)
 * @param {object} context - Auth0 connection and other context info
 * @param {function} cb - function (error)
 */
module.exports = function (user, context, cb) {
  var axios = require('axios');
  var secrets = context.webtask.secrets;

  var event = {
    type: 'password_changed',
    user_id: user.id,
    email: user.email,
    connection: context.connection && context.connection.name,
    at: new Date().toISOString(),
  };

  axios
    .post(secrets.AUDIT_LOG_URL, event, {
      headers: { Authorization: 'Bearer ' + secrets.AUDIT_LOG_TOKEN },
      timeout: 3000,
    })
    .then(function () { cb(); })
    .catch(function (err) {
      // The password is already changed; a lost audit event must not look like a failure.
      console.log('audit log failed: ' + err.message);
      cb();
    });
};
