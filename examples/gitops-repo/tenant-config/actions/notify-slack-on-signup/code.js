// Post User Registration: tell Slack about each new user; a Slack outage never fails a sign-up.
// The webhook URL is a secret, filled from the keyword SLACK_WEBHOOK_URL at apply time.
const axios = require('axios');

exports.onExecutePostUserRegistration = async (event) => {
  try {
    await axios.post(event.secrets.SLACK_WEBHOOK_URL,
      { text: `New sign-up: ${event.user.email || event.user.user_id}` }, { timeout: 3000 });
  } catch (err) {
    console.log(`slack: ${err.message}`);
  }
};
