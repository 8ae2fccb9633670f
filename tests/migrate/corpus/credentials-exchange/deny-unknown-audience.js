// No semicolons, the way some teams write Node.
module.exports = function (client, scope, audience, context, cb) {
  const allowed = context.webtask.secrets.ALLOWED_AUDIENCES.split(' ')
  if (!allowed.includes(audience)) {
    return cb(new InvalidRequestError(`audience ${audience} is not served to ${client.name}`))
  }
  const accessToken = { scope: scope }
  accessToken['https://acme.test/aud'] = audience
  cb(null, accessToken)
}
