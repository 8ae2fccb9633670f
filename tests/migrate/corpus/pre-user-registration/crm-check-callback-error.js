var request = require('request');

module.exports = function (user, context, callback) {
  request({
    method: 'GET',
    url: context.webtask.secrets.CRM_URL + '/contacts?email=' + encodeURIComponent(user.email),
    json: true
  }, function (err, res, body) {
    if (err) return callback(err);
    var response = { user: { app_metadata: { crm_id: body && body.id } } };
    callback(null, response);
  });
};
