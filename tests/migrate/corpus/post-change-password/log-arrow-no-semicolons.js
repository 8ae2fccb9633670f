module.exports = (user, context, cb) => {
  const who = user.email || user.username || user.id
  console.log(`password changed for ${who} (${context.connection.name}, ${context.requestLanguage})`)
  cb()
}
