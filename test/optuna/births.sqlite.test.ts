import { describeBirths } from './birthScenarios';

describeBirths('sqlite');
