module.exports = function (client, scope, audience, context, cb) {
  // The token request's body carried an optional tier hint from our SDK.
  var tier = (context.body && context.body.tier) || 'standard';
  if (tier === 'premium' && client.metadata.premium !== 'yes') {
    return cb(new InvalidScopeError('client ' + client.id + ' is not premium'));
  }
  var access_token = {};
  access_token.scope = scope;
  access_token['https://acme.test/tier'] = tier;
  cb(null, access_token);
};
