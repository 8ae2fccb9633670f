module.exports = async (client, scope, audience, context, cb) => {
  const access_token = {}
  access_token.scope = scope.map((s) => s.replace(/^v1:/, 'v2:'))
  access_token['https://acme.test/api-version'] = 2
  cb(null, access_token)
}
