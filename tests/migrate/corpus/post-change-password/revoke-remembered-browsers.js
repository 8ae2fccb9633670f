var ManagementClient = require('auth0@2.35.0').ManagementClient;

module.exports = function (user, context, cb) {
  var management = new ManagementClient({
    domain: context.webtask.secrets.AUTH0_DOMAIN,
    clientId: context.webtask.secrets.AUTH0_CLIENT_ID,
    clientSecret: context.webtask.secrets.AUTH0_CLIENT_SECRET
  });
  // A password change ends "remember this browser" for MFA everywhere.
  management.invalidateRememberBrowser({ id: 'auth0|' + user.id }, function (err) {
    if (err) {
      console.log('could not invalidate browsers for ' + user.id + ': ' + err.message);
    }
    cb();
  });
};
