const twilio = require('twilio@3.84.0');

module.exports = function (recipient, text, context, cb) {
  const client = twilio(context.webtask.secrets.TWILIO_SID, context.webtask.secrets.TWILIO_TOKEN);
  client.messages
    .create({ body: text, to: recipient, from: context.webtask.secrets.TWILIO_FROM })
    .then(() => cb(null, {}))
    .catch((err) => cb(err));
};
