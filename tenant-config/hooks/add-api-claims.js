/**
 * Credentials Exchange: runs when a machine-to-machine client gets an access token.
 * Adds the client's tier (from client metadata) and name as namespaced custom claims, so APIs
 * can rate-limit per tier without calling back into Auth0. Partners asking for an admin scope
 * get no token at all: refusing is safer than a token whose scopes differ from the grant.
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
  var tier = (client.metadata && client.metadata.tier) || 'free';

  // Partners must never receive admin scopes, even if someone grants them by mistake.
  var adminScopes = (scope || []).filter(function (s) {
    return s.indexOf('admin:') === 0;
  });
  if (tier === 'partner' && adminScopes.length > 0) {
    return cb(new InvalidScopeError('Partner clients may not request ' + adminScopes.join(', ')));
  }

  var access_token = {};
  access_token.scope = scope;
  access_token[namespace + 'tier'] = tier;
  access_token[namespace + 'client_name'] = client.name;
  cb(null, access_token);
};
