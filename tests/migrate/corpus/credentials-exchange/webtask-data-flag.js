module.exports = function (client, scope, audience, context, cb) {
  var access_token = { scope: scope };
  if (context.webtask.data.ADD_REGION_CLAIM === 'on') {
    access_token['https://acme.test/region'] = client.metadata.region;
  }
  cb(null, access_token);
};
