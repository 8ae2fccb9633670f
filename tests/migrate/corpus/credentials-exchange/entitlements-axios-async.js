const axios = require('axios');

module.exports = async function (client, scope, audience, context, cb) {
  const base = context.webtask.secrets.ENTITLEMENTS_URL;
  let entitlements = [];
  try {
    const { data } = await axios.get(`${base}/clients/${client.id}/entitlements`, {
      headers: { Authorization: `Bearer ${context.webtask.secrets.ENTITLEMENTS_TOKEN}` },
      timeout: 3000,
    });
    entitlements = data.entitlements;
  } catch (err) {
    return cb(new ServerError('entitlement service unavailable'));
  }
  const access_token = { scope };
  access_token['https://acme.test/entitlements'] = entitlements;
  cb(null, access_token);
};
