const { ManagementClient } = require('auth0@2.44.0');

module.exports = function (user, context, cb) {
  const management = new ManagementClient({
    domain: context.webtask.secrets.DOMAIN,
    clientId: context.webtask.secrets.CLIENT_ID,
    clientSecret: context.webtask.secrets.CLIENT_SECRET,
    scope: 'update:users'
  });
  // Hooks gave the id without its connection prefix.
  const userId = 'auth0|' + user.id;
  management.updateAppMetadata({ id: userId }, { crm_synced: false }, function (err) {
    if (err) console.log('could not flag ' + userId);
    cb();
  });
};
