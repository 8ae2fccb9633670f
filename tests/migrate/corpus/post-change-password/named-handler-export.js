const crypto = require('crypto');

function fingerprint(email) {
  return crypto.createHash('sha256').update(String(email).toLowerCase()).digest('hex').slice(0, 12);
}

function onPasswordChange(user, context, cb) {
  console.log('password change', fingerprint(user.email), context.connection.id);
  cb();
}

module.exports = onPasswordChange;
