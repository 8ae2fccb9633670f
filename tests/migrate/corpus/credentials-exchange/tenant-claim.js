/**
 * Adds the customer's tenant id (kept in client metadata) to machine-to-machine tokens.
 */
module.exports = function (client, scope, audience, context, cb) {
  var access_token = {};
  access_token['https://api.acme.test/tenant'] = client.metadata.tenant_id;
  access_token['https://api.acme.test/client'] = client.name;
  access_token.scope = scope; // keep the requested scopes

  cb(null, access_token);
};
