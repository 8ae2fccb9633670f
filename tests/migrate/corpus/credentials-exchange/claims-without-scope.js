module.exports = function (client, scope, audience, context, cb) {
  var claims = {};
  claims['https://acme.test/client_name'] = client.name;
  cb(null, claims);
};
