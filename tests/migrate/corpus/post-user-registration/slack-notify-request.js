var request = require('request@2.81.0');

module.exports = function (user, context, cb) {
  var message = {
    text: `New sign-up: ${user.email} (${user.username || 'no username'}) on ${context.connection.name}`
  };
  request.post({ url: context.webtask.secrets.SLACK_WEBHOOK_URL, json: message }, function (err) {
    if (err) console.log('slack failed: ' + err.message);
    cb();
  });
};
