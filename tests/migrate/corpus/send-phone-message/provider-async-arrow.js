const axios = require('axios');

module.exports = async (recipient, text, context, cb) => {
  const body = { recipient, text, kind: context.message_type };
  await axios.post(context.webtask.secrets.PROVIDER_URL, body, {
    headers: { 'x-api-key': context.webtask.secrets.PROVIDER_KEY },
  });
  cb(null, {});
};
