// Post-User Registration: tell Slack about each new user; a Slack outage never fails a sign-up.
module.exports = function (user, context, cb) {
  require('axios')
    .post(context.webtask.secrets.SLACK_WEBHOOK_URL, { text: 'New sign-up: ' + (user.email || user.id) }, { timeout: 3000 })
    .then(function () { cb(); })
    .catch(function (err) { console.log('slack: ' + err.message); cb(); });
};
