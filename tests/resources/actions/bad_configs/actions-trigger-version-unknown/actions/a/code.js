exports.onExecutePostLogin = async (event, api) => {};
