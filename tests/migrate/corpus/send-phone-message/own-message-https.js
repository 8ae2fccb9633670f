const https = require('https');

module.exports = function (recipient, text, context, cb) {
  const payload = JSON.stringify({
    to: recipient,
    message: `Your ${context.action === 'enrollment' ? 'enrollment' : 'sign-in'} code is ${context.code}`,
  });
  const req = https.request({
    host: context.webtask.secrets.SMS_HOST,
    path: '/v1/messages',
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: 'Key ' + context.webtask.secrets.SMS_KEY },
  }, (res) => {
    res.on('data', () => {});
    res.on('end', () => cb(null, {}));
  });
  req.on('error', () => cb(null, {}));
  req.write(payload);
  req.end();
};
