/**
 * Send Phone Message: delivers MFA and passwordless codes through the company's SMS provider
 * instead of Auth0's built-in one, so every text carries our sender id and shows up in the
 * provider's delivery reports. A failed send throws: Auth0 then reports the delivery as
 * failed and the user can ask for a new code, rather than waiting for one that never comes.
 */
const axios = require('axios');

exports.onExecuteSendPhoneMessage = async (event, api) => {
  const { recipient, text, message_type: channel } = event.message_options;
  await axios.post(
    'https://sms.provider.example/v1/messages',
    { to: recipient, body: text, channel, reference: event.user && event.user.user_id },
    {
      headers: { authorization: `Bearer ${event.secrets.SMS_PROVIDER_API_KEY}` },
      timeout: 5000,
    },
  );
};
