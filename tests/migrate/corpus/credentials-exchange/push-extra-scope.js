module.exports = function(client, scope, audience, context, cb) {
  var access_token = {};
  access_token.scope = scope;

  if (client.metadata && client.metadata.partner === 'true') {
    access_token.scope.push('read:partner-reports');
  }

  cb(null, access_token);
};
