/**
 * Credentials Exchange, DISABLED: the claims format before the tier claim existed. Kept so
 * a rollback is a one-line change ("enabled") rather than a restore from history.
 */
module.exports = function (client, scope, audience, context, cb) {
  var access_token = {};
  access_token.scope = scope;
  access_token['https://example.com/client'] = client.name;
  cb(null, access_token);
};
