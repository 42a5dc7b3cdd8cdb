# loss zoo tests (owned by the loss module)
