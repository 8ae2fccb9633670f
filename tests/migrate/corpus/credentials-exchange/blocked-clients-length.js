module.exports = function (client, scope, audience, context, cb) {
  const blocked = (context.webtask.secrets.BLOCKED || '').split(',');
  const token = { scope: scope };
  if (blocked.indexOf(client.id) >= 0) {
    // Blocked clients get a token without any scope.
    scope.length = 0;
  }
  cb(null, token);
};
