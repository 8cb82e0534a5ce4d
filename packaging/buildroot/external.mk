include $(sort $(wildcard $(BR2_EXTERNAL_EDGENPU_PATH)/package/*/*.mk))
