const sgMail = require('@sendgrid/mail');

module.exports = async (user, context, cb) => {
  sgMail.setApiKey(context.webtask.secrets.SENDGRID_API_KEY);
  try {
    await sgMail.send({
      to: user.email,
      from: 'welcome@acme.test',
      subject: `Welcome to Acme, ${user.username || user.email}!`,
      text: `Hi ${user.username || 'there'}, thanks for signing up.`,
    });
  } catch (e) {
    console.log('welcome mail failed', e.message);
  }
  cb();
};
