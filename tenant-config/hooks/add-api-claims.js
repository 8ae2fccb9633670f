/**
 * Credentials Exchange: runs when a machine-to-machine client gets an access token.
 * Adds the client's tier (from client metadata) as a namespaced custom claim, so APIs can
 * rate-limit per tier without calling back into Auth0.
 *
 * @param {object} client - information about the client
 * @param {string} client.name - name of client
 * @param {string} client.id - client id
 * @param {string} client.tenant - Auth0 tenant name
 * @param {object} client.metadata - client metadata
 * @param {array|undefined} scope - array of strings representing the scope claim or undefined
 * @param {string} audience - token's audience claim
 * @param {object} context - Auth0 context info
 * @param {function} cb - function (error, accessTokenClaims)
 */
module.exports = function (client, scope, audience, context, cb) {
  var namespace = context.webtask.secrets.CLAIM_NAMESPACE; // e.g. https://api.example.com/
  var access_token = {};
  access_token.scope = scope;

  var tier = (client.metadata && client.metadata.tier) || 'free';
  access_token[namespace + 'tier'] = tier;
  access_token[namespace + 'client_name'] = client.name;

  // Partners must never receive admin scopes, even if someone grants them by mistake.
  if (tier === 'partner' && Array.isArray(scope)) {
    access_token.scope = scope.filter(function (s) {
      return s.indexOf('admin:') !== 0;
    });
  }

  cb(null, access_token);
};
