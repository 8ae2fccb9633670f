module.exports = function (user, context, callback) {
  const expected = context.webtask.secrets.INVITE_CODE
  const given = user.user_metadata && user.user_metadata.invite_code

  if (given !== expected) {
    return callback(new Error('A valid invite code is required'))
  }

  callback(null, {
    user: {
      app_metadata: { invited: true }
    }
  })
}
