module.exports = function (client, scope, audience, context, cb) {
  var token = {};
  token['https://reports.example.org/region'] = client.metadata.region || 'eu';
  token.scope = (scope || []).concat(['read:reports']);
  cb(null, token);
};
