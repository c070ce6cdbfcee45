module github.com/moneykit-native/moneykit-native/bench/go

go 1.22

require github.com/moneykit-native/moneykit-native/bindings/go v0.0.0

replace github.com/moneykit-native/moneykit-native/bindings/go => ../../bindings/go
