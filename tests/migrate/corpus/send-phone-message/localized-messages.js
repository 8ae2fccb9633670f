const MESSAGES = {
  es: (code) => `Su código es ${code}`,
  fr: (code) => `Votre code est ${code}`,
  en: (code) => `Your code is ${code}`
}

module.exports = function (recipient, text, context, cb) {
  const lang = (context.language || 'en').slice(0, 2)
  const render = MESSAGES[lang] || MESSAGES.en
  const message = context.message_type === 'voice' ? text : render(context.code)
  console.log(`sending ${context.message_type} to ${recipient}: ${message.length} characters`)
  cb(null, {})
}
