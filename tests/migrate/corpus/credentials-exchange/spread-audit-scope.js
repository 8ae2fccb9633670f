module.exports = function (client, scope, audience, context, cb) {
  const token = {
    scope: [...(scope || []), 'audit:read'],
    'https://audit.example.org/client': client.id
  }
  cb(null, token)
}
