const https = require('https');

module.exports = function (user, context, cb) {
  const body = JSON.stringify({ id: user.id, email: user.email, tenant: user.tenant });
  const req = https.request(context.webtask.secrets.WEBHOOK_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }
  }, (res) => {
    res.resume();
    res.on('end', () => cb());
  });
  req.on('error', (err) => cb(err));
  req.end(body);
};
