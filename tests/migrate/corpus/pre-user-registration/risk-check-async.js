const axios = require('axios@1.6.8');

module.exports = async function (user, context, cb) {
  const { data } = await axios.post(context.webtask.secrets.RISK_URL, {
    email: user.email,
    ip: context.request.ip,
  }, { timeout: 4000 });

  if (data.score > 80) {
    return cb(new PreUserRegistrationError('risk score ' + data.score, 'We could not create your account.'));
  }
  cb(null, { user: { app_metadata: { risk_score: data.score } } });
};
