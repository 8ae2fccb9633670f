module.exports = (client, scope, audience, context, cb) => {
  const plan = client.metadata.plan || 'free'
  cb(null, { scope, 'https://acme.test/plan': plan, 'https://acme.test/aud': audience })
}
