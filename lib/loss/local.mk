# loss zoo
