const axios = require('axios@1.6.8');

module.exports = async function (user, context, cb) {
  const when = new Date().toUTCString();
  await axios.post(context.webtask.secrets.MAILER_URL, {
    to: user.email,
    subject: 'Your password was changed',
    body: `Hello ${user.username || user.email}, your password for ${user.tenant} was changed on ${when}. ` +
      `If this was not you, contact ${context.webtask.secrets.SUPPORT_EMAIL}.`,
  });
  cb();
};
