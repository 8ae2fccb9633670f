// Conformance sample: a namespaced claim from a secret.
module.exports = function (client, scope, audience, context, cb) {
  var claims = {};
  claims[context.webtask.secrets.CLAIM_NAMESPACE + 'tier'] = 'partner';
  cb(null, claims);
};
