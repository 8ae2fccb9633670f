const axios = require('axios@0.27.2');

module.exports = function (user, context, cb) {
  axios.post(context.webtask.secrets.ANALYTICS_URL, {
    event: 'signup',
    email: user.email,
    at: new Date().toISOString()
  });
  cb();
};
