const axios = require('axios@1.6.8');

let cachedToken = null;
let cachedUntil = 0;

async function managementToken(secrets) {
  if (cachedToken && Date.now() < cachedUntil) return cachedToken;
  const { data } = await axios.post(`https://${secrets.DOMAIN}/oauth/token`, {
    grant_type: 'client_credentials',
    client_id: secrets.CLIENT_ID,
    client_secret: secrets.CLIENT_SECRET,
    audience: `https://${secrets.DOMAIN}/api/v2/`,
  });
  cachedToken = data.access_token;
  cachedUntil = Date.now() + (data.expires_in - 60) * 1000;
  return cachedToken;
}

module.exports = function (user, context, cb) {
  managementToken(context.webtask.secrets)
    .then((token) => axios.post(`https://${context.webtask.secrets.DOMAIN}/api/v2/jobs/verification-email`,
      { user_id: `auth0|${user.id}` }, { headers: { Authorization: `Bearer ${token}` } }))
    .then(() => cb())
    .catch(() => cb());
};
