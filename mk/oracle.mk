# SPDX-License-Identifier: GPL-2.0-only OR MIT
#
# edgenpu correctness oracle (TFLite 2.14's reference kernels in a Debian
# unstable chroot) and the int8 model generator. Included by the top-level
# Makefile; also works standalone:
#   make -f mk/oracle.mk oracle-test
# Every variable here starts with ORACLE_ (BUILD is the only shared name).
#
#   oracle-setup  create the chroot (cached, ~30 s and 630 MB once) and
#                 build the runner in it
#   oracle-test   generate every model, run it through TFLite's reference
#                 kernels, check the oracle against known facts (TAP)
#   models        $(BUILD)/models/<model>/{model.tflite,input<i>.bin,
#                 expected<i>.bin,meta.json} + manifest.json, for
#                 bit-exact engine comparisons

BUILD ?= $(CURDIR)/build

ORACLE_ROOT := $(abspath $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))/..)
# Debian's python3, for Debian's python3-flatbuffers (and pyarmnn).
ORACLE_PYTHON ?= $(or $(wildcard /usr/bin/python3),python3)
ORACLE_OUT := $(BUILD)/oracle
ORACLE_MODELS := $(BUILD)/models
ORACLE_SHARED ?= $(ORACLE_ROOT)/../shared
ORACLE_MODE ?= ref
ORACLE_SRCS := $(ORACLE_ROOT)/tests/models/gen_models.py \
	$(wildcard $(ORACLE_ROOT)/tests/oracle/*.py) \
	$(ORACLE_ROOT)/tests/oracle/tflite_ref_run.cc \
	$(ORACLE_ROOT)/scripts/tflite-oracle \
	$(ORACLE_ROOT)/scripts/tflite-oracle-setup
ORACLE_TEST := $(ORACLE_PYTHON) $(ORACLE_ROOT)/tests/oracle/run_oracle_tests.py \
	--shared $(ORACLE_SHARED) --mode $(ORACLE_MODE)

.PHONY: oracle-setup oracle-test models oracle-clean

oracle-setup:
	@$(ORACLE_ROOT)/scripts/tflite-oracle-setup

oracle-test: oracle-setup
	@mkdir -p $(ORACLE_OUT)
	@$(ORACLE_TEST) --build $(ORACLE_OUT)

# Rebuilt when the generator or the oracle changes; the oracle tests must
# pass before any expected output is written.
models: $(ORACLE_MODELS)/.stamp

$(ORACLE_MODELS)/.stamp: $(ORACLE_SRCS)
	@$(ORACLE_ROOT)/scripts/tflite-oracle-setup
	@mkdir -p $(ORACLE_OUT)
	@rm -f $@
	@$(ORACLE_TEST) --build $(ORACLE_OUT) --models $(ORACLE_MODELS) \
		--emit >$(ORACLE_OUT)/models.tap || \
		{ grep -E '^not ok|^#' $(ORACLE_OUT)/models.tap | grep -v TODO; \
		  echo "models: oracle tests failed, see $(ORACLE_OUT)/models.tap"; \
		  exit 1; }
	@echo "models: $$(ls $(ORACLE_MODELS)/*/expected0.bin | wc -l) models" \
		"with inputs and TFLite reference outputs in $(ORACLE_MODELS)"
	@touch $@

oracle-clean:
	rm -rf $(ORACLE_OUT) $(ORACLE_MODELS)
