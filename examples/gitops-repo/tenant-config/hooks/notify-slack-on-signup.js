/**
 * Post-User Registration: posts new sign-ups to a Slack channel. Runs after the user exists,
 * so a Slack outage must never fail the registration: errors are logged, not returned.
 *
 * @param {object} user - the new user
 * @param {object} context - Auth0 connection and other context info
 * @param {function} cb - function (error)
 */
module.exports = function (user, context, cb) {
  var axios = require('axios');
  var url = context.webtask.secrets.SLACK_WEBHOOK_URL;
  var connection = (context.connection && context.connection.name) || 'unknown';

  axios
    .post(url, {
      text: 'New sign-up: ' + (user.email || user.id) + ' via ' + connection,
    }, { timeout: 3000 })
    .then(function () { cb(); })
    .catch(function (err) {
      console.log('slack notification failed: ' + err.message);
      cb();
    });
};
