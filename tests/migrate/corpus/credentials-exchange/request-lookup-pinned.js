var request = require('request@2.88.0');

module.exports = function (client, scope, audience, context, cb) {
  request.get({
    url: context.webtask.secrets.LOOKUP_URL + '/customers/' + encodeURIComponent(client.id),
    json: true,
    timeout: 2500
  }, function (err, response, body) {
    if (err || response.statusCode >= 500) {
      return cb(new ServerError('customer lookup failed'));
    }
    var access_token = {};
    access_token.scope = scope;
    access_token['https://acme.test/customer'] = body.customerId;
    cb(null, access_token);
  });
};
