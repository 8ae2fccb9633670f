const fetch = require('node-fetch@2.6.7');

module.exports = function (user, context, cb) {
  fetch(context.webtask.secrets.HOOK_URL, {
    method: 'POST',
    body: JSON.stringify({ user_id: 'auth0|' + user.id, email: user.email }),
    headers: { 'Content-Type': 'application/json' },
  })
    .then(() => cb())
    .catch(() => cb());
};
