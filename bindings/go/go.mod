module github.com/moneykit-native/moneykit-native/bindings/go

go 1.22
