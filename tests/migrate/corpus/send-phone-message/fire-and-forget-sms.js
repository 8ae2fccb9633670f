const axios = require('axios@1.6.8')

module.exports = function (recipient, text, context, cb) {
  axios.post(context.webtask.secrets.GATEWAY_URL, { to: recipient, body: text })
    .catch((e) => console.log('gateway error', e.message))
  cb(null, {})
}
