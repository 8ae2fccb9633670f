// Conformance sample: an action bound to its trigger.
exports.onExecuteSendPhoneMessage = async (event, api) => {};
