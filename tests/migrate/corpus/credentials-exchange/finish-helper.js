function finish(done, client, scope) {
  var claims = { scope: scope };
  claims['https://acme.test/owner'] = client.metadata.owner || 'unknown';
  done(null, claims);
}

module.exports = function (client, scope, audience, context, cb) {
  if (!client.metadata.owner) {
    console.log('client without owner: ' + client.id);
  }
  finish(cb, client, scope);
};
