/**
 * Post Login: adds the user's roles and plan as namespaced claims to the ID and access tokens,
 * so APIs and the SPA need no extra call to learn them. The plan comes from the internal
 * entitlements service (cached per user for a minute); on any failure the login goes on
 * without the plan claim rather than locking users out.
 */
const axios = require('axios');

const NAMESPACE = '##CLAIM_NAMESPACE##'; // filled at deploy time, e.g. https://example.com/

exports.onExecutePostLogin = async (event, api) => {
  const roles = (event.authorization && event.authorization.roles) || [];
  api.idToken.setCustomClaim(`${NAMESPACE}roles`, roles);
  api.accessToken.setCustomClaim(`${NAMESPACE}roles`, roles);

  const cacheKey = `plan:${event.user.user_id}`;
  const cached = api.cache.get(cacheKey);
  let plan = cached && cached.value;
  if (!plan) {
    try {
      const response = await axios.get('https://entitlements.internal.example/v1/plan', {
        params: { user_id: event.user.user_id },
        headers: { authorization: `Bearer ${event.secrets.ENTITLEMENTS_API_KEY}` },
        timeout: 2000,
      });
      plan = response.data.plan;
      api.cache.set(cacheKey, plan, { ttl: 60000 });
    } catch (err) {
      console.log(`entitlements lookup failed: ${err.message}`);
      return;
    }
  }
  api.accessToken.setCustomClaim(`${NAMESPACE}plan`, plan);
};
